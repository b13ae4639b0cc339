import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local listening on 127.0.0.1 only.
 *
 * DynamoDB Local has no option for the bind address: its Jetty server listens on every interface,
 * which would expose a local database holding test personal data to the network. This launcher builds
 * the server with DynamoDB Local's own command-line parsing (same options as the jar), sets the host of
 * its connector before it starts, and starts it. Reflection is needed because the Jetty server is a
 * private field; if a DynamoDB Local release renames it, startup fails loudly rather than silently
 * binding everywhere. local/dynamodb-local.ts compiles this file with javac and runs it with the jar
 * on the class path.
 */
public final class DynamoDbLocalOnLoopback {
  private DynamoDbLocalOnLoopback() {}

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
    serverField.setAccessible(true);
    Server server = (Server) serverField.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
  }
}
