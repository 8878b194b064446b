export * from './names';
export * from './activities';
export * from './temporal-client.module';
