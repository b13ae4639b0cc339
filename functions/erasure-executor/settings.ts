/** The erasure executor's name in logs and metrics (the EMF `service` dimension its alarms read). */
export const FUNCTION_NAME = 'erasure-executor';
