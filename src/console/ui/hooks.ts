/**
 * Loading JSON for a page: data, error and a reload function. A new `key` (another topic, page or
 * filter) drops the old data at once, so nothing stale is shown under new controls; a reload keeps
 * it on screen until the fresh data arrives.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

interface State<T> {
  key: string;
  data?: T;
  error?: string;
  loading: boolean;
}

export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<State<T>>({ key, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    load().then(
      (data) => live && setState({ key, data, loading: false }),
      (err: Error) => live && setState({ key, error: err.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || state.loading,
    reload,
  };
}
