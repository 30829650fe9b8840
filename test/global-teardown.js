// Removes what global-setup.js packed.
import { rmSync } from 'node:fs';

export default function removePacked() {
  if (process.env.PACKED_ROOT) rmSync(process.env.PACKED_ROOT, { recursive: true, force: true });
}
