/**
 * A client's page is in tabs, each its own address below /panel/clients/ID ('' is Overview), so
 * a link or a reload opens the same tab. Later tabs (secrets, webhooks) join this list.
 */
export const CLIENT_TABS = ['', 'credentials', 'settings', 'apis', 'usage', 'activity'] as const;
export type ClientTab = (typeof CLIENT_TABS)[number];

export const TAB_LABELS: Record<ClientTab, string> = {
  '': 'Overview',
  credentials: 'Credentials',
  settings: 'Settings',
  apis: 'APIs',
  usage: 'Usage',
  activity: 'Activity',
};

export const clientPath = (id: string, tab: ClientTab = ''): string =>
  `/clients/${encodeURIComponent(id)}${tab ? `/${tab}` : ''}`;
