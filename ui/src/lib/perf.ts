// Performance marks read by the end-to-end benchmark, and the "after the next
// painted frame" wait they are measured against.
import { tick } from 'svelte';

/** Resolves after Svelte has flushed the DOM and the browser has painted a frame. */
export async function afterPaint(): Promise<void> {
  await tick();
  await new Promise<void>((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') {
    performance.mark(name);
  }
}
