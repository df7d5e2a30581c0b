// The widget's texts in English and Simplified Chinese, picked by navigator.language.
const texts = {
  en: {
    lang: 'en', open: 'Open chat', close: 'Close chat', send: 'Send', placeholder: 'Write a message…',
    typing: 'Agent is typing…', botTyping: 'Assistant is typing…', human: 'Talk to a person', queue: (n) => `You are number ${n} in the queue`,
    offlineTitle: 'We are offline', email: 'E-mail', name: 'Name', message: 'Message',
    leaveMessage: 'Leave a message', start: 'Start chat', closed: 'The conversation was closed.',
    rate: 'How did we do?', comment: 'Comment (optional)', submitRating: 'Send rating',
    thanks: 'Thank you for your feedback!', mute: 'Mute sounds', unmute: 'Turn sounds on',
    you: 'You', agent: 'Agent', messages: 'Messages', star: (n) => `${n} of 5`,
    reconnecting: 'Reconnecting…',
    transcript: 'E-mail me the transcript', transcriptSend: 'Send', transcriptSent: (e) => `The transcript is on its way to ${e}.`,
    attach: 'Attach a file', retry: 'Retry', uploadFailed: 'the upload was interrupted',
    uploading: (name, p) => `Uploading ${name}… ${p}%`, attachFirst: 'Send a message first, then attach files.',
    offlineSent: (email) => (email ? `Thanks! We'll reply by e-mail to ${email}.` : 'Thanks! We\'ll reply by e-mail.'),
  },
  zh: {
    lang: 'zh', open: '打开聊天', close: '关闭聊天', send: '发送', placeholder: '输入消息…',
    typing: '客服正在输入…', botTyping: '助手正在输入…', human: '转人工', queue: (n) => `您在队列中排第 ${n} 位`,
    offlineTitle: '我们暂时离线', email: '邮箱', name: '姓名', message: '留言',
    leaveMessage: '提交留言', start: '开始聊天', closed: '会话已结束。',
    rate: '请为本次服务评分', comment: '评价（可选）', submitRating: '提交评分',
    thanks: '感谢您的反馈！', mute: '静音', unmute: '开启声音',
    you: '我', agent: '客服', messages: '消息', star: (n) => `${n} 星`,
    reconnecting: '正在重新连接…',
    transcript: '通过邮件发送聊天记录', transcriptSend: '发送', transcriptSent: (e) => `聊天记录将发送到 ${e}。`,
    attach: '添加附件', retry: '重试', uploadFailed: '上传中断',
    uploading: (name, p) => `正在上传 ${name}… ${p}%`, attachFirst: '请先发送一条消息，再添加附件。',
    offlineSent: (email) => (email ? `谢谢！我们会通过邮件回复到 ${email}。` : '谢谢！我们会通过邮件回复您。'),
  },
};

export const t = (navigator.language || 'en').toLowerCase().startsWith('zh') ? texts.zh : texts.en;
