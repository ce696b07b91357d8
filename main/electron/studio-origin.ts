/**
 * Where the studio's own pages live. The renderer is served from a privileged custom scheme
 * (security checklist #18: not `file://`), so the origin is fixed and every check compares against
 * it: IPC senders, navigation, event delivery.
 */

export const studioScheme = 'mentor-studio';
export const studioHost = 'app';
export const studioOrigin = `${studioScheme}://${studioHost}`;
export const studioStartUrl = `${studioOrigin}/index.html`;
