/** `oneproc fix`: findings → edits at the places that set the count, and the capacity kept. Pure. */
export { type FixedFinding, type FixInput, type FixPlan, planFixes } from './plan';
export { CPU_FLOOR_MILLIS, cpuMillicores, divideCpu, formatCpu } from './quantity';
export { sarifFixes } from './sarif';
export { applyEdits, orderEdits, type TextEdit, unifiedDiff } from './text-edit';
