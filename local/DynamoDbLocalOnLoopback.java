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
 *
 * It also ends cleanly, which the jar's own main does not: on SIGTERM (how local/dynamodb-local.ts
 * stops it) a shutdown hook stops the server, letting requests in progress finish and closing the
 * database; and when its standard input closes, because the Node process that started it is gone
 * (even one killed with SIGKILL, which runs no exit hook), it shuts down the same way instead of
 * living on, orphaned, holding its port and the data folder.
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
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    proxy.stop();
                  } catch (Exception e) {
                    System.err.println("DynamoDB Local: could not stop cleanly: " + e);
                  }
                },
                "stop-dynamodb-local"));
    proxy.start();
    Thread parentWatch =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // Nothing is sent on standard input; it only tells that the parent is alive.
                }
              } catch (java.io.IOException e) {
                // A broken pipe also means the parent is gone.
              }
              System.exit(0);
            },
            "parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
  }
}
