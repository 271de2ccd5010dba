// Worker-thread entry: a worker starts without the parent's TypeScript loader, so register tsx here
// before loading the worker's TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
