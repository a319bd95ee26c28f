// Every node and credential class the package ships, for tools that import the package directly.
export * from './credentials/GmailOutreachOAuth2Api.credentials';
export * from './credentials/GmailOutreachServiceAccountApi.credentials';
export * from './nodes/GmailOutreachSend/GmailOutreachSend.node.js';
export * from './nodes/GmailThreadedReply/GmailThreadedReply.node.js';
export * from './nodes/GmailReplyDetector/GmailReplyDetector.node.js';
export * from './nodes/GmailReplyDetectorTrigger/GmailReplyDetectorTrigger.node.js';
