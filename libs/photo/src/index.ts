export * from './photo-comparison';
export * from './human-provider';
export * from './http-provider';
export * from './validate-photo';
export * from './nest/photo.module';
