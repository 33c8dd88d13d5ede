/** When a burst of changes is told to subscribers: `notify` runs once, later. */
export type NotifyScheduler = (notify: () => void) => void;

/** A hidden tab gets no frames: changes are told after this long all the same (the saved draft must follow). */
const HIDDEN_TAB_DELAY_MS = 250;

/**
 * At the next animation frame, so a burst of progress is one render, or after a short delay when the tab is
 * hidden and frames stop; whichever comes first, once.
 */
export const nextFrameScheduler: NotifyScheduler = (notify) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    notify();
  };
  const timer = setTimeout(once, HIDDEN_TAB_DELAY_MS);
  requestAnimationFrame(once);
};
