// vitest setupFiles: what every test process (and the processes it starts) should see.
import { useLocalWheelIndex } from './wheel-index.js';

useLocalWheelIndex();
