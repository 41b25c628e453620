// Typed calls for the templating commands: the user-editable email templates
// (list, the text in use, save, revisions, revert, reset) and the live preview
// of unsaved text. Rendering and syntax checks are core's; this only asks.
import type { Template } from '$lib/bindings/Template';
import type { TemplateInfo } from '$lib/bindings/TemplateInfo';
import type { TemplateRevision } from '$lib/bindings/TemplateRevision';
import { call } from './invoke';

export const listTemplates = () => call<TemplateInfo[]>('list_templates');

/** The text in use (the user's version, else the default) and the default text. */
export const getTemplate = (name: string) => call<Template>('get_template', { name });

/** Saves a new version; rejects `invalid` with field `body` when it does not compile. */
export const saveTemplate = (name: string, body: string) =>
  call<Template>('save_template', { name, body });

/** Every saved version, newest first. */
export const templateRevisions = (name: string) =>
  call<TemplateRevision[]>('template_revisions', { name });

/** Makes an earlier version current again (saved as a new revision). */
export const revertTemplate = (name: string, revisionId: number) =>
  call<Template>('revert_template', { name, revisionId });

/** Back to the shipped default; the edited versions stay in the history. */
export const resetTemplate = (name: string) => call<Template>('reset_template', { name });

/** Renders unsaved text for a peer; rejects `invalid` with core's error text. */
export const previewEmailTemplate = (name: string, body: string, asn: number) =>
  call<string>('preview_email_template', { name, body, asn });

/** Renders unsaved router configuration text for a stored session (MD5 masked). */
export const previewConfigTemplate = (name: string, body: string, sessionId: number) =>
  call<string>('preview_config_template', { name, body, sessionId });

/** A peer group's definition rendered for its router's platform. */
export const renderPeerGroupConfig = (peerGroupId: number) =>
  call<string>('render_peer_group_config', { peerGroupId });
