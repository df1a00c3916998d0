/** The frame of every page: header (workspace, theme, sign-out), navigation, and the page. */
import { ActionIcon, AppShell, Badge, Burger, Group, Menu, Select, Text, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Outlet, useRouterState } from '@tanstack/react-router';
import { RouterNavLink } from './links';
import { useSession } from './session';

const NAV = [
  { to: '/', label: 'Automations', exact: true },
  { to: '/runs', label: 'Runs' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/compare', label: 'Compare runs' },
  { to: '/costs', label: 'Costs' },
  { to: '/events', label: 'Events' },
] as const;

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to the ${next} theme`}>
      <ActionIcon variant="default" size="lg" onClick={() => setColorScheme(next)} aria-label={`Switch to the ${next} theme`}>
        <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}

function WorkspacePicker() {
  const { client, whoami, setWorkspace } = useSession();
  const workspaces = useQuery({ queryKey: ['workspaces'], queryFn: () => client.workspaces.list(), enabled: !whoami.bound });
  if (whoami.bound || !workspaces.data) {
    return (
      <Text size="sm" c="dimmed">
        workspace <b>{whoami.workspace.name}</b>
      </Text>
    );
  }
  return (
    <Select
      aria-label="Workspace"
      size="xs"
      w={160}
      value={whoami.workspace.name}
      data={workspaces.data.map((w) => w.name)}
      onChange={(name) => name && name !== whoami.workspace.name && setWorkspace(name)}
      allowDeselect={false}
    />
  );
}

function PendingApprovals() {
  const { client } = useSession();
  const pending = useQuery({ queryKey: ['approvals', 'pending-count'], queryFn: () => client.approvals.list({ state: 'pending', limit: 1 }), refetchInterval: 10_000 });
  const total = pending.data?.total ?? 0;
  if (total === 0) return null;
  return (
    <Badge size="sm" color="yellow" variant="filled" aria-label={`${total} pending`}>
      {total}
    </Badge>
  );
}

export function Shell() {
  const [opened, { toggle, close }] = useDisclosure();
  const { whoami, signOut } = useSession();
  const path = useRouterState({ select: (s) => s.location.pathname });
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="rota-skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} size="lg" component="span">
              Rota
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <WorkspacePicker />
            <ThemeToggle />
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="default" size="lg" aria-label="Account">
                  <span aria-hidden="true">⋯</span>
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>token {whoami.token_id}</Menu.Label>
                <Menu.Label>{whoami.scopes.join(', ')}</Menu.Label>
                <Menu.Item component="a" href="/api/openapi.json" target="_blank">
                  API document
                </Menu.Item>
                <Menu.Item onClick={signOut} color="red">
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <nav>
          {NAV.map((item) => {
            const active = 'exact' in item ? path === item.to || path.startsWith('/automations/') : path === item.to || path.startsWith(`${item.to}/`);
            return (
              <RouterNavLink
                key={item.to}
                to={item.to}
                label={item.label}
                active={active}
                onClick={close}
                aria-current={active ? 'page' : undefined}
                rightSection={item.to === '/approvals' ? <PendingApprovals /> : undefined}
              />
            );
          })}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
