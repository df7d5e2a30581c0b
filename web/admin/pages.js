// The console's pages in navigation order.

import { renderOverview } from './overview.js';
import { renderReports } from './reports.js';
import { renderAgents } from './agents.js';
import { renderGroups } from './groups.js';
import { renderQuickReplies } from './quick-replies.js';
import { renderTriggers } from './triggers.js';
import { renderRouting } from './routing.js';
import { renderBots } from './bots.js';
import { renderBlacklist } from './blacklist.js';
import { renderSettings } from './settings.js';
import { renderTokens } from './tokens.js';
import { renderWebhooks } from './webhooks.js';
import { renderMail } from './mail.js';
import { renderSecurity } from './security.js';
import { renderSso } from './sso.js';
import { renderAudit } from './audit.js';
import { renderIdentity } from './identity.js';
import { renderPrivacy } from './privacy.js';
import { renderFiles } from './files.js';

export const pages = [
  { key: 'overview', title: 'Overview', render: renderOverview },
  { key: 'reports', title: 'Reports', render: renderReports },
  { key: 'agents', title: 'Agents', render: renderAgents },
  { key: 'groups', title: 'Groups', render: renderGroups },
  { key: 'quick-replies', title: 'Quick replies', render: renderQuickReplies },
  { key: 'triggers', title: 'Triggers', render: renderTriggers },
  { key: 'routing', title: 'Routing scripts', render: renderRouting },
  { key: 'bots', title: 'Bots', render: renderBots },
  { key: 'blacklist', title: 'Blacklist', render: renderBlacklist },
  { key: 'settings', title: 'Widget & settings', render: renderSettings },
  { key: 'files', title: 'Files', render: renderFiles },
  { key: 'security', title: 'Security', render: renderSecurity },
  { key: 'sso', title: 'SSO', render: renderSso },
  { key: 'tokens', title: 'API tokens', render: renderTokens },
  { key: 'webhooks', title: 'Webhooks', render: renderWebhooks },
  { key: 'mail', title: 'E-mail', render: renderMail },
  { key: 'identity', title: 'Identity', render: renderIdentity },
  { key: 'privacy', title: 'Privacy', render: renderPrivacy },
  { key: 'audit', title: 'Audit log', render: renderAudit },
];
