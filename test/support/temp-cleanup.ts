/** Setup file: each test file removes the temporary folders its tests made with tempDir(). */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

afterAll(removeTempDirs);
