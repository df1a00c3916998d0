/** A copy-to-clipboard icon button (the automations pages copy YAML, commands and webhook URLs). */
import { ActionIcon, CopyButton, Tooltip } from '@mantine/core';

function Icon({ copied }: { copied: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true" focusable="false">
      {copied ? (
        <path d="M3 8.5l3 3 7-7" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
          <path d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H3A1.5 1.5 0 0 0 1.5 3v6A1.5 1.5 0 0 0 3 10.5h.5" />
        </>
      )}
    </svg>
  );
}

/** `label` names what is copied, for the button's accessible name ("Copy the webhook URL"). */
export function CopyAction({ value, label, className }: { value: string; label: string; className?: string }) {
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : `Copy ${label}`} withArrow>
          <ActionIcon className={className} variant="default" onClick={copy} aria-label={copied ? 'Copied' : `Copy ${label}`}>
            <Icon copied={copied} />
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
