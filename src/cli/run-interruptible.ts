/** Runs a pipeline to its single result, or stops it on SIGINT/SIGTERM (unsubscribing removes its temp files). */
import type { Observable, Subscription } from 'rxjs';

export async function runInterruptible<T>(pipeline: Observable<T>): Promise<T | 'interrupted'> {
  let subscription: Subscription | undefined;
  let onSignal = (): void => {};
  const interrupted = new Promise<'interrupted'>((resolve) => {
    onSignal = () => resolve('interrupted');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const run = new Promise<T>((resolve, reject) => {
    subscription = pipeline.subscribe({ next: resolve, error: reject });
  });
  try {
    const outcome = await Promise.race([run, interrupted]);
    if (outcome === 'interrupted') {
      subscription?.unsubscribe();
      await new Promise((r) => setTimeout(r, 50));
    }
    return outcome;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
