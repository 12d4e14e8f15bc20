import { useEffect, useState } from "react";

/**
 * False on the first render, true once the frame that first shows the component has been painted:
 * for a part of a screen that can wait a frame (a toolbar's selects), so that what matters first
 * (a list's first rows) is painted without waiting for it. A rendering started by React in the
 * background (useDeferredValue) runs before the browser paints, not after.
 */
export function useAfterPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The frame's callbacks run before it is painted; a task queued from them runs after.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return painted;
}
