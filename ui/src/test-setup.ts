// Unit-test environment: jsdom has no layout, so no ResizeObserver; a stand-in
// that never reports lets components that measure themselves mount.
class NoLayoutResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

if (!('ResizeObserver' in globalThis)) {
  Object.defineProperty(globalThis, 'ResizeObserver', { value: NoLayoutResizeObserver, configurable: true });
}
