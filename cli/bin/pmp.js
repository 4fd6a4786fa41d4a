#!/usr/bin/env node
// The `pmp` entry point. The project runs TypeScript directly through tsx, so there is no build step
// between editing a file and running it; this shim registers the loader and hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main.ts');
await main(process.argv);
