/**
 * The operators file (config/operators.json by default): read, validated and turned into one deployment
 * profile per operator. The CDK app, the local stack, the CLI and the benchmarks all load it here, so a
 * bad file fails the same way everywhere, naming the file and the path of the bad field.
 */
import { readFileSync } from 'node:fs';
import {
  type DeploymentProfile,
  type OperatorsFile,
  operatorsFileSchemaWith,
} from '../domain/operators/operator-profile';
import { CONFIG_FOLDER, loadCalendarFiles, loadJurisdictions, withCalendar } from './jurisdiction-files';
import { describeSchemaErrors } from './schema-errors';

/** Where the operators file is, relative to the project root, unless cdk.json or a flag says otherwise. */
export const DEFAULT_OPERATORS_FILE = 'config/operators.json';

/** cdk.json context key that names the operators file. */
export const OPERATORS_FILE_CONTEXT_KEY = 'makul:operatorsFile';

/**
 * The operators file, validated, with makul's jurisdiction profiles (config/jurisdictions) listed before
 * the file's own: a jurisdiction the file defines replaces makul's of the same id. Every jurisdiction
 * gets its country's calendar years (config/calendars). `configFolder` is for tests.
 */
export function parseOperatorsFile(
  data: unknown,
  sourceName: string,
  configFolder: string = CONFIG_FOLDER,
): OperatorsFile {
  const builtIn = loadJurisdictions(configFolder);
  const result = operatorsFileSchemaWith(builtIn.map((jurisdiction) => jurisdiction.id)).safeParse(data);
  if (!result.success) {
    throw new Error(`${sourceName} is not a valid operators file:\n${describeSchemaErrors(result.error)}`);
  }
  const own = new Set(result.data.jurisdictions.map((jurisdiction) => jurisdiction.id));
  const calendars = loadCalendarFiles(configFolder);
  return {
    ...result.data,
    jurisdictions: [
      ...builtIn.filter((jurisdiction) => !own.has(jurisdiction.id)),
      ...result.data.jurisdictions,
    ].map((jurisdiction) => withCalendar(jurisdiction, calendars)),
  };
}

export function deploymentProfiles(file: OperatorsFile): DeploymentProfile[] {
  return file.operators.map((operator) => {
    const jurisdiction = file.jurisdictions.find((j) => j.id === operator.jurisdiction);
    if (!jurisdiction)
      throw new Error(`operator ${operator.id}: unknown jurisdiction ${operator.jurisdiction}`);
    if (
      operator.dueDateOnDayOff === undefined ||
      operator.dueDateOnDayOff === jurisdiction.termEndingOnDayOff.rule
    )
      return { operator, jurisdiction };
    // The operator's stricter (or stated) choice, carried where the deadline arithmetic reads it.
    const termEndingOnDayOff = {
      rule: operator.dueDateOnDayOff,
      source: `operator ${operator.id} profile: dueDateOnDayOff "${operator.dueDateOnDayOff}" (the law: ${jurisdiction.termEndingOnDayOff.source})`,
    };
    return { operator, jurisdiction: { ...jurisdiction, termEndingOnDayOff } };
  });
}

/** Every operator's profile from a file on disk; errors name the file. */
export function loadOperatorProfiles(filePath: string): DeploymentProfile[] {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the operators file ${filePath}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${filePath} is not valid JSON: ${(error as Error).message}`);
  }
  return deploymentProfiles(parseOperatorsFile(data, filePath));
}

/** One operator's profile (the first when no id is given); an unknown id lists the known ones. */
export function chooseOperator(
  profiles: readonly DeploymentProfile[],
  operatorId: string | undefined,
  sourceName: string,
): DeploymentProfile {
  const chosen =
    operatorId === undefined ? profiles[0] : profiles.find((profile) => profile.operator.id === operatorId);
  if (chosen === undefined) {
    const known = profiles.map((profile) => profile.operator.id).join(', ');
    throw new Error(`no operator "${operatorId ?? ''}" in ${sourceName}; known: ${known}`);
  }
  return chosen;
}
