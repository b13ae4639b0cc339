/** The operator a command works for, from `--config` and `--operator` (shared loader, CLI defaults). */
import { existsSync } from 'node:fs';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import {
  chooseOperator,
  DEFAULT_OPERATORS_FILE,
  loadOperatorProfiles,
} from '../../functions/shared/operators-file';
import { type GlobalOptions, UsageError } from './command';

/** The chosen operator's profile; null when no file was named and the default one is absent. */
export function chosenProfile(global: GlobalOptions): DeploymentProfile | null {
  const path = global.config ?? DEFAULT_OPERATORS_FILE;
  if (!existsSync(path)) {
    if (global.config || global.operator) throw new UsageError(`operators file not found: ${path}`);
    return null;
  }
  try {
    return chooseOperator(loadOperatorProfiles(path), global.operator, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
