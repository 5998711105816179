// The facilitator's control panel.
import { $, option } from './dom.js';
import { boot, pending, showError } from './page.js';
import { staffViews } from './staff.js';
import { MselPanel } from './msel.js';
import { Composer } from './composer.js';
import { confirmDialog } from './dialog.js';

const SPEEDS = [1, 2, 5, 10, 30, 60, 120];

async function main() {
  const ctx = await boot('facilitator', ['facilitator']);
  const { socket } = ctx;

  const send = (btn, cmd, doneLabel) => pending(btn, () => socket.command(cmd), { socket, doneLabel });

  staffViews(ctx, {
    canWriteNotes: true,
    onToggleMode: (team, mode, btn) => send(btn, { type: 'set_mode', team, mode }, mode === 'human' ? 'Handed over' : 'Simulated'),
  });
  const msel = new MselPanel($('#msel'), ctx);
  new Composer($('#composer'), ctx);

  // Controls.
  const btn = {
    start: $('#btn-start'), pause: $('#btn-pause'), resume: $('#btn-resume'), jump: $('#btn-jump'), end: $('#btn-end'),
  };
  const speed = $('#speed');
  for (const s of SPEEDS) speed.appendChild(option(String(s), `${s}×`));

  let current = 'ready';
  const applyControls = () => {
    const s = current;
    const enable = { start: s === 'ready', pause: s === 'running', resume: s === 'paused', jump: s === 'running' || s === 'paused', end: s !== 'ended' };
    for (const [k, b] of Object.entries(btn)) {
      if (b.dataset.state !== 'pending') b.disabled = !enable[k];
    }
    speed.disabled = s === 'ended';
  };
  const control = (b, cmd, doneLabel) => send(b, cmd, doneLabel).finally(applyControls);

  btn.start.addEventListener('click', () => control(btn.start, { type: 'start' }, 'Started'));
  btn.pause.addEventListener('click', () => control(btn.pause, { type: 'pause' }, 'Paused'));
  btn.resume.addEventListener('click', () => control(btn.resume, { type: 'resume' }, 'Resumed'));
  btn.jump.addEventListener('click', () => pending(btn.jump, () => socket.jump(), { socket, doneLabel: 'Jumped' }).finally(applyControls));
  btn.end.addEventListener('click', async () => {
    const ans = await confirmDialog({
      title: 'End the exercise?',
      message: 'The clock stops for good and no more injects are delivered. Teams can no longer act.',
      okLabel: 'End exercise',
      reason: true,
    });
    if (ans.ok) control(btn.end, ans.reason ? { type: 'end', text: ans.reason } : { type: 'end' }, 'Ended');
  });
  speed.addEventListener('change', async () => {
    const v = Number(speed.value);
    speed.disabled = true;
    try {
      await socket.command({ type: 'set_speed', speed: v });
    } catch (err) {
      showError(`Could not change the speed: ${err.message}`);
    } finally {
      applyControls();
    }
  });

  applyControls();
  // While the exercise store cannot be written, the server holds the clock
  // and refuses commands: say why, and that it resumes by itself.
  const storageNotice = $('#storage-notice');
  const showStorage = (storage) => {
    storageNotice.hidden = !storage;
    if (storage) {
      const since = storage.since ? new Date(storage.since).toLocaleTimeString() : '';
      storageNotice.textContent = `Nothing can be recorded: ${storage.problem}${since ? ` (since ${since})` : ''}. `
        + 'The clock is held and actions are refused until the store is back; a running exercise then resumes by itself.';
    }
  };
  socket.on('status', (m) => {
    const st = m.status || {};
    showStorage(st.storage);
    msel.update(st);
    const s = st.status || 'ready';
    if (s !== current) {
      current = s;
      document.body.dataset.status = s;
      applyControls();
    }
    if (st.speed && document.activeElement !== speed) {
      const v = String(st.speed);
      if (!Array.from(speed.options).some((o) => o.value === v)) speed.appendChild(option(v, `${v}×`));
      speed.value = v;
    }
  });
  socket.on('event', (m) => msel.onEvent(m));

  socket.start();
}

main().catch((err) => { if (!err || !err.handled) console.error(err); });
