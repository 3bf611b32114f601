/** Types for omggif's GifReader (the parts codec/gif/frames uses). */
declare module 'omggif' {
  export interface GifFrameInfo {
    x: number;
    y: number;
    width: number;
    height: number;
    /** Centiseconds. */
    delay: number;
    /** GIF89a disposal method: 0/1 keep, 2 restore to background, 3 restore to previous. */
    disposal: number;
    transparent_index: number | null;
    interlaced: boolean;
  }
  export class GifReader {
    constructor(buf: Uint8Array);
    width: number;
    height: number;
    numFrames(): number;
    /** The NETSCAPE2.0 loop count; null when the file has none. */
    loopCount(): number | null;
    frameInfo(frame: number): GifFrameInfo;
    /** Decodes one frame and draws its opaque pixels onto `pixels` (the whole canvas, RGBA). */
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array): void;
  }
}
