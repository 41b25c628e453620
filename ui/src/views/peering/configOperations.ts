// The words of each router-configuration action on a session: the wrench
// label, the dialog title, the question before sending and the progress line.
// Wording only; what is sent is rendered by core.
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';

export interface OperationWords {
  title: string;
  /** The question under the preview, before Send. */
  question: string;
  /** The progress line while core pushes and verifies. */
  waiting: string;
  /** Send styled as destructive (the session goes down or away). */
  danger: boolean;
  /** What the result toast starts with when the dialog was closed meanwhile. */
  done: string;
}

const WAIT_FOR_SESSION = 'Waiting for the session to come up…';

export function operationWords(operation: ConfigOperation, configManager: boolean): OperationWords {
  switch (operation) {
    case 'add':
      return {
        title: configManager ? 'Config Manager' : '1 click config',
        question: configManager
          ? 'One-time settings: they apply to this push only and are never saved. Send this configuration to the router?'
          : 'Send this configuration (the default settings) to the router?',
        waiting: WAIT_FOR_SESSION,
        danger: false,
        done: 'Configured',
      };
    case 'enable':
      return {
        title: 'Admin up',
        question: 'Enable the session on the router (remove the shutdown)?',
        waiting: WAIT_FOR_SESSION,
        danger: false,
        done: 'Enabled',
      };
    case 'shutdown':
      return {
        title: 'Admin down',
        question: 'Shut the session down on the router? Routes from this neighbour are withdrawn.',
        waiting: 'Sending the configuration and reading it back…',
        danger: true,
        done: 'Shut down',
      };
    case 'update':
      return {
        title: 'Update on router',
        question:
          "Send these settings to the router's existing neighbour? Settings the template clears (e.g. no max-prefix) are removed there.",
        waiting: WAIT_FOR_SESSION,
        danger: false,
        done: 'Updated',
      };
    case 'remove':
      return {
        title: 'Remove from router',
        question: "Remove this neighbour from the router's configuration? The session stays in Peerdesk.",
        waiting: 'Sending the configuration and reading it back…',
        danger: true,
        done: 'Removed',
      };
  }
}
