// Per-step schedules as pure functions of the step (0-based), so a resumed run needs no state.

/** Linear warm-up from 0 to base over warmup steps, then cosine from base to final at the last step. */
export function warmupCosine(step: number, total: number, base: number, final: number, warmup: number): number {
  if (step < warmup) return (base * step) / warmup;
  const span = Math.max(1, total - warmup - 1);
  const t = Math.min(1, (step - warmup) / span);
  return final + 0.5 * (base - final) * (1 + Math.cos(Math.PI * t));
}

/** Cosine from start (step 0) to end (last step); used for weight decay and teacher momentum. */
export function cosine(step: number, total: number, start: number, end: number): number {
  return warmupCosine(step, total, start, end, 0);
}

/** Teacher temperature: linear from warmupStart to final over warmupSteps, then final. */
export function teacherTemperature(step: number, warmupStart: number, final: number, warmupSteps: number): number {
  if (step >= warmupSteps || warmupSteps === 0) return final;
  return warmupStart + ((final - warmupStart) * step) / warmupSteps;
}

/**
 * Learning-rate factor of the encoder (everything but the projection head) at step s: 0 for the
 * first `backbone.freeze_steps` steps, then `backbone.lr_scale`. A random head sends the encoder
 * gradients that mostly undo its initial features; training the head first (and the encoder
 * slower) is the linear-probe-then-fine-tune remedy (Kumar et al., 2022).
 */
export function backboneLrScale(s: number, cfg: { backbone: { freezeSteps: number; lrScale: number } }): number {
  return s < cfg.backbone.freezeSteps ? 0 : cfg.backbone.lrScale;
}
