/**
 * A second process for the folder-lock tests: takes the lock of the data
 * folder given as argv[2] and prints one line of JSON — {"locked":true} or
 * {"refused":"<message>"} — then holds the lock until stdin closes (or exits
 * at once with argv[3] === "exit", leaving no lock, or "crash", leaving it).
 */
import { FolderInUseError, lockDataFolder } from '../../main/db/folder-lock';

const [dataDir = '', then = 'hold'] = process.argv.slice(2);
try {
  lockDataFolder(dataDir);
  console.log(JSON.stringify({ locked: true, pid: process.pid }));
  if (then === 'crash') process.kill(process.pid, 'SIGKILL');
  if (then === 'exit') process.exit(0);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} catch (err) {
  console.log(JSON.stringify(err instanceof FolderInUseError ? { refused: err.message } : { error: String(err) }));
  process.exit(3);
}
