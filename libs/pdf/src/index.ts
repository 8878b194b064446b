export * from './browser-pool';
export * from './certificate-renderer';
export * from './hash';
export * from './keys';
export * from './qr';
export * from './qr-token';
export * from './seal-artwork';
export * from './sealer';
