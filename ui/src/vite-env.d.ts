// Ambient types for Vite's import.meta.env and Svelte components in the UI.
/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "1" only for the dev-only in-browser mock backend. */
  readonly VITE_PEERDESK_MOCK: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
