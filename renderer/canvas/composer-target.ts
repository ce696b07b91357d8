/**
 * The prompt composer as a drop target for canvas drags. Konva drags are not HTML5 drags, so the
 * composer is found by its accessible name and hit-tested by its on-screen rectangle.
 */

export const composerSelector = '[aria-label="Prompt composer"]';

export function isOverComposer(clientX: number, clientY: number): boolean {
  const composer = document.querySelector(composerSelector);
  if (composer === null) {
    return false;
  }
  const rect = composer.getBoundingClientRect();
  return clientX >= rect.left && clientX <= rect.right && clientY >= rect.top && clientY <= rect.bottom;
}
