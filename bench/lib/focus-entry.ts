/**
 * Bundle entry for bench/focus-eval.mjs: the Worker's own planning and focus code
 * (pure TS, no WASM) plus the test scenes, built by esbuild for Node.
 */
export { planTransform } from '../../src/plan';
export { refocus, describeFocus } from '../../src/refocus';
export { detectFaces, iou } from '../../src/focus/face-detector';
export { renderScene, randomSceneSpec, FOCUS_SCENES, FACE_SCENE } from '../../test/support/scenes';
