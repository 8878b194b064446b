/**
 * Turns injectable activity classes into the plain object Worker.create expects: every
 * method of the prototype, bound to the Nest-managed instance (so activities get their
 * repositories and services by injection, as in temporalio/samples-typescript
 * nestjs-exchange-rates).
 */
export type ActivityMap = Record<string, (...args: never[]) => Promise<unknown>>;

export function bindActivities(...instances: object[]): ActivityMap {
  const activities: ActivityMap = {};
  for (const instance of instances) {
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const member = proto[name];
      if (name === 'constructor' || typeof member !== 'function') continue;
      if (activities[name]) throw new Error(`activity name ${name} is defined twice`);
      activities[name] = (member as (...args: never[]) => Promise<unknown>).bind(instance);
    }
  }
  return activities;
}
