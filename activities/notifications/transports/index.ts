export * from './transport';
export * from './http-sms-transport';
export * from './smtp-transport';
export * from './notification-transports';
