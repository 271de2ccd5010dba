// A gradient worker thread: holds a replica of the student and teacher, and per job loads the
// weights the main thread published, computes its slice's gradients (slice-gradients.ts, the same
// code the main thread runs) and writes them into its shared buffer.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import type { ParamMap } from '../model.js';
import { globalCls, sliceGradients } from '../slice-gradients.js';
import { overwrite, valuesOf } from './heap.js';
import { readSlice, type SliceJob, type WorkerInit, type WorkerReply } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const reply = (r: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

await selectBackend(init.backend);
const weights = new Float32Array(init.weights);
const grads = new Float32Array(init.grads);
const { slots, total } = init.layout;
const student = new Map<string, tf.Variable>();
const teacher = new Map<string, tf.Variable>();
for (const s of slots) {
  student.set(s.name, tf.variable(tf.zeros(s.shape), true));
  teacher.set(s.name, tf.variable(tf.zeros(s.shape), false));
}
let inputs: Float32Array = new Float32Array(0);

function loadWeights(): void {
  for (const s of slots) {
    overwrite(student.get(s.name)!, weights.subarray(s.offset, s.offset + s.length));
    overwrite(teacher.get(s.name)!, weights.subarray(total + s.offset, total + s.offset + s.length));
  }
}

port.on('message', (job: SliceJob) => {
  try {
    if (job.inputBuffer) inputs = new Float32Array(job.inputBuffer);
    // A step publishes new weights before its first job (the `cls` one when KoLeo is exact).
    if (job.kind === 'cls' || !job.koleo) loadWeights();
    if (job.kind === 'cls') {
      const cls = globalCls(student, init.shape, init.cfg, readSlice(job, inputs)).slice();
      return reply({ kind: 'cls', id: job.id, cls }, [cls.buffer]);
    }
    const r = sliceGradients(student, teacher as unknown as ParamMap, init.shape, init.cfg, readSlice(job, inputs), job.centre, job.tauT, job.koleo);
    const present: string[] = [];
    for (const s of slots) {
      const g = r.grads.get(s.name);
      if (!g) continue;
      grads.set(valuesOf(g), s.offset);
      present.push(s.name);
    }
    tf.dispose([...r.grads.values()]);
    const logits = r.teacherLogits.slice();
    reply({ kind: 'done', id: job.id, loss: r.loss, teacherLogits: logits, present }, [logits.buffer]);
  } catch (e) {
    reply({ kind: 'failed', id: job.id, message: (e as Error).message });
  }
});
reply({ kind: 'ready' });
