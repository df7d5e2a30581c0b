// Interface strings in one place; English only for now, other languages add a table.

const en = {
  'login.title': 'Sign in to uniqchat',
  'login.email': 'E-mail',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Wrong e-mail or password.',
  'login.forbidden': 'Your account is not allowed to use the admin console. Ask an owner or admin.',
  'logout': 'Sign out',
  'status.online': 'Online',
  'status.busy': 'Busy',
  'status.away': 'Away',
  'list.waiting': 'Waiting',
  'list.mine': 'Mine',
  'list.others': 'Others',
  'list.empty': 'Nothing here',
  'chat.empty': 'Pick a conversation',
  'chat.accept': 'Accept',
  'chat.close': 'Close',
  'chat.transfer': 'Transfer',
  'chat.block': 'Block',
  'chat.note': 'Note',
  'chat.reply': 'Reply',
  'chat.send': 'Send',
  'chat.placeholder': 'Type a reply — “/” for quick replies',
  'chat.notePlaceholder': 'Internal note — the visitor does not see it',
  'chat.typing': 'Visitor is typing…',
  'chat.seen': 'Seen',
  'chat.closed': 'This conversation is closed.',
  'chat.readonly': 'Another agent holds this conversation.',
  'chat.older': 'Loading older messages…',
  'details.title': 'Visitor',
  'details.previous': 'Previous conversations',
  'details.pages': 'Pages',
  'conn.offline': 'Reconnecting…',
};

export function t(key, vars = {}) {
  const text = en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}
