// Signals to a child or to its whole process group (it was started `detached`, so it leads a group of its own:
// nginx's workers, a shell's children go with it).

/** Sends `signal` to the process `pid` alone; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to the process group led by `pid`; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  return signalProcess(-pid, signal);
}
