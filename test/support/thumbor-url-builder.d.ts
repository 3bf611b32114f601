/** Types for `thumbor-url-builder` 0.1 (CommonJS, untyped): the calls the tests use, read from its index.js. */
declare module 'thumbor-url-builder' {
  class ThumborUrlBuilder {
    constructor(securityKey: string | null, thumborServerUrl: string);
    setImagePath(path: string): this;
    resize(width: number | string, height: number | string): this;
    fitIn(width: number, height: number): this;
    smartCrop(on: boolean): this;
    flipHorizontally(): this;
    flipVertically(): this;
    halign(a: 'left' | 'center' | 'right'): this;
    valign(a: 'top' | 'middle' | 'bottom'): this;
    metaDataOnly(on: boolean): this;
    filter(call: string): this;
    crop(left: number, top: number, right: number, bottom: number): this;
    buildUrl(): string;
  }
  export default ThumborUrlBuilder;
}
