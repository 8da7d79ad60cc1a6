import { ensureConsoleBuilt } from '../console/build/build-console.js';
import { printConsoleSize } from '../console/build/bundle-size.js';

// `npm run console:build`: builds the web console into console/dist when its sources changed
// (`npm start` does the same), then prints the size of its initial JavaScript. A production
// build whatever NODE_ENV the caller runs under (jest's is `test`, which Vite would honour).
process.env.NODE_ENV = 'production';
const { version, built } = await ensureConsoleBuilt((message) => console.log(message));
console.log(built ? `Built the console ${version}.` : `The console ${version} is up to date.`);
printConsoleSize();
