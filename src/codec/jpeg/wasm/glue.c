/*
 * Thumbflare's glue around libjpeg-turbo 2.1.5 (Debian's source package, built
 * for wasm32 by scripts/build-jpeg-wasm.sh): one module that decodes (DCT
 * scaling M/8, RGBA or CMYK out, a progressive source's DC scans only when 1/8
 * is all that is wanted) and encodes (baseline or progressive, 4:2:0,
 * optimised Huffman tables, libjpeg's standard quantisation tables: what sharp
 * writes by default). The JS side is codec/jpeg/turbo.ts.
 *
 * Nothing here touches WASI or libc's stdio: bytes come in through the imported
 * `read` (a JS closure over the source buffer) and go out through `write`, so
 * the module's linear memory holds neither the JPEG file nor the image, only
 * libjpeg's working state, a strip of rows and (progressive decode, optimised
 * encode) the DCT coefficients.
 *
 * Memory: libjpeg's memory manager (jmemmgr.c) gets its pools from the arena
 * below, in place of jmemnobs.c's malloc. Every job starts by resetting the
 * arena, so a job that failed half-way leaks nothing into the next one.
 *
 * Errors: libjpeg's error_exit must not return, and wasi-libc on clang-14 has
 * no setjmp/longjmp. error_exit calls the imported `fatal`, which throws a JS
 * exception: that unwinds the WASM stack back to the JS caller, which restores
 * the exported __stack_pointer it saved before the call. All state is either
 * in the static structs below (re-created by the next job) or in the arena
 * (reset by the next job), so the instance stays usable.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include "jpeglib.h"
#include "jerror.h"
#include "jmemsys.h"

#define IMPORT(n) __attribute__((import_module("env"), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

/* Throws in JS; never returns. */
IMPORT("fatal") __attribute__((noreturn)) void js_fatal(int msg_code);
/* Copies up to `max` bytes of the source into `dst`; returns how many (0 at the end). */
IMPORT("read") size_t js_read(uint8_t *dst, size_t max);
/* Takes `len` bytes of encoded output. */
IMPORT("write") void js_write(const uint8_t *src, size_t len);

/* ---- Arena: libjpeg's pools (jmemsys.h), reset at the start of every job ---- */

extern unsigned char __heap_base;
static uintptr_t arena_top;

static void arena_reset(void) { arena_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15; }

static void *arena_alloc(size_t size) {
  uintptr_t start = arena_top ? arena_top : (((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15);
  uintptr_t end = (start + size + 15) & ~(uintptr_t)15;
  if (end < start) return NULL;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return NULL;
  }
  arena_top = end;
  return (void *)start;
}

void *jpeg_get_small(j_common_ptr cinfo, size_t sizeofobject) { (void)cinfo; return arena_alloc(sizeofobject); }
void jpeg_free_small(j_common_ptr cinfo, void *object, size_t sizeofobject) { (void)cinfo; (void)object; (void)sizeofobject; }
void *jpeg_get_large(j_common_ptr cinfo, size_t sizeofobject) { (void)cinfo; return arena_alloc(sizeofobject); }
void jpeg_free_large(j_common_ptr cinfo, void *object, size_t sizeofobject) { (void)cinfo; (void)object; (void)sizeofobject; }
size_t jpeg_mem_available(j_common_ptr cinfo, size_t min_bytes_needed, size_t max_bytes_needed, size_t already_allocated) {
  (void)cinfo; (void)min_bytes_needed; (void)already_allocated;
  return max_bytes_needed; /* everything in memory: no backing store */
}
void jpeg_open_backing_store(j_common_ptr cinfo, backing_store_ptr info, long total_bytes_needed) {
  (void)info; (void)total_bytes_needed;
  ERREXIT(cinfo, JERR_NO_BACKING_STORE);
}
long jpeg_mem_init(j_common_ptr cinfo) { (void)cinfo; return 0; }
void jpeg_mem_term(j_common_ptr cinfo) { (void)cinfo; }

/* ---- Error manager: fatal errors throw in JS, warnings are counted ---- */

static int warnings;

static void on_error_exit(j_common_ptr cinfo) { js_fatal(cinfo->err->msg_code); }
static void on_emit_message(j_common_ptr cinfo, int msg_level) {
  (void)cinfo;
  /* TurboJPEG's rule (turbojpeg.c my_emit_message): any warning fails the call. */
  if (msg_level < 0) warnings++;
}
static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }
static void on_format_message(j_common_ptr cinfo, char *buffer) { (void)cinfo; buffer[0] = 0; }
static void on_reset_error_mgr(j_common_ptr cinfo) { cinfo->err->num_warnings = 0; cinfo->err->msg_code = 0; }

/* Our libjpeg has no jerror.c (its default handlers print with stdio and exit). */
struct jpeg_error_mgr *jpeg_std_error(struct jpeg_error_mgr *err) {
  memset(err, 0, sizeof(*err));
  err->error_exit = on_error_exit;
  err->emit_message = on_emit_message;
  err->output_message = on_output_message;
  err->format_message = on_format_message;
  err->reset_error_mgr = on_reset_error_mgr;
  return err;
}

/*
 * A strip of `rows` rows of `row_bytes` each, packed with no padding so JS can
 * copy it in one go (jmemmgr's alloc_sarray pads rows to 16 bytes).
 */
static JSAMPARRAY strip_alloc(j_common_ptr cinfo, size_t row_bytes, int rows) {
  JSAMPARRAY ptrs = (JSAMPARRAY)(*cinfo->mem->alloc_small)(cinfo, JPOOL_IMAGE, (size_t)rows * sizeof(JSAMPROW));
  JSAMPROW base = (JSAMPROW)(*cinfo->mem->alloc_large)(cinfo, JPOOL_IMAGE, (size_t)rows * row_bytes);
  for (int i = 0; i < rows; i++) ptrs[i] = base + (size_t)i * row_bytes;
  return ptrs;
}

/* ---- Decoder ---- */

#define IO_BUFFER 65536
static uint8_t io_buffer[IO_BUFFER];
static const uint8_t fake_eoi[2] = { 0xFF, JPEG_EOI };

static struct jpeg_decompress_struct dinfo;
static struct jpeg_error_mgr djerr;
static struct jpeg_source_mgr dsrc;
static JSAMPARRAY drows;
static int drow_capacity;
/* [0..7]: width, height, colour space (TurboJPEG's TJCS_*), progressive, components; out width, out height, out components. */
static int32_t dinfo_out[8];

static void src_init(j_decompress_ptr cinfo) { (void)cinfo; }
static boolean src_fill(j_decompress_ptr cinfo) {
  size_t n = js_read(io_buffer, IO_BUFFER);
  if (n == 0) {
    /* As jdatasrc.c does: warn, then pretend the file ended properly. */
    WARNMS(cinfo, JWRN_JPEG_EOF);
    dsrc.next_input_byte = fake_eoi;
    dsrc.bytes_in_buffer = 2;
  } else {
    dsrc.next_input_byte = io_buffer;
    dsrc.bytes_in_buffer = n;
  }
  return TRUE;
}
static void src_skip(j_decompress_ptr cinfo, long num_bytes) {
  while (num_bytes > 0) {
    if ((size_t)num_bytes <= dsrc.bytes_in_buffer) {
      dsrc.next_input_byte += num_bytes;
      dsrc.bytes_in_buffer -= (size_t)num_bytes;
      return;
    }
    num_bytes -= (long)dsrc.bytes_in_buffer;
    dsrc.bytes_in_buffer = 0;
    src_fill(cinfo);
  }
}
static void src_term(j_decompress_ptr cinfo) { (void)cinfo; }

static int tjcs(J_COLOR_SPACE cs) {
  switch (cs) {
    case JCS_RGB: return 0;
    case JCS_YCbCr: return 1;
    case JCS_GRAYSCALE: return 2;
    case JCS_CMYK: return 3;
    case JCS_YCCK: return 4;
    default: return -1;
  }
}

/* Starts a decode: reads the header through `read`. Returns dinfo_out. */
EXPORT("dec_header") int32_t *dec_header(void) {
  arena_reset();
  warnings = 0;
  memset(&dinfo, 0, sizeof(dinfo));
  dinfo.err = jpeg_std_error(&djerr);
  jpeg_create_decompress(&dinfo);
  dsrc.init_source = src_init;
  dsrc.fill_input_buffer = src_fill;
  dsrc.skip_input_data = src_skip;
  dsrc.resync_to_restart = jpeg_resync_to_restart;
  dsrc.term_source = src_term;
  dsrc.next_input_byte = NULL;
  dsrc.bytes_in_buffer = 0;
  dinfo.src = &dsrc;
  jpeg_read_header(&dinfo, TRUE);
  dinfo_out[0] = (int32_t)dinfo.image_width;
  dinfo_out[1] = (int32_t)dinfo.image_height;
  dinfo_out[2] = tjcs(dinfo.jpeg_color_space);
  dinfo_out[3] = dinfo.progressive_mode ? 1 : 0;
  dinfo_out[4] = dinfo.num_components;
  return dinfo_out;
}

/* True once every component's DC coefficient is known to full precision (coef_bits = 0, T.81 G.1.1.1). */
static int dc_complete(void) {
  for (int c = 0; c < dinfo.num_components; c++) {
    if (dinfo.coef_bits[c][0] != 0) return 0;
  }
  return 1;
}

/*
 * Sets the output: scale `m`/8, CMYK or RGBA samples, and, with `dc_only` on a
 * progressive source at 1/8, buffered-image mode stopped after the scans that
 * complete the DC coefficients (the 1x1 IDCT reads nothing else; libjpeg.txt,
 * "Buffered-image mode"). Allocates a strip of `rows` output rows. Returns
 * dinfo_out with the output size filled in, or the row strip via dec_rows_ptr.
 */
EXPORT("dec_start") int32_t *dec_start(int m, int cmyk, int dc_only, int rows) {
  dinfo.scale_num = (unsigned int)m;
  dinfo.scale_denom = 8;
  dinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  int buffered = dc_only && m == 1 && dinfo.progressive_mode;
  if (buffered) {
    dinfo.buffered_image = TRUE;
    /* Block smoothing only estimates AC coefficients, which a 1x1 IDCT ignores. */
    dinfo.do_block_smoothing = FALSE;
  }
  jpeg_start_decompress(&dinfo);
  if (buffered) {
    for (;;) {
      int r = jpeg_consume_input(&dinfo);
      if (r == JPEG_REACHED_EOI || r == JPEG_SUSPENDED) break;
      if (r == JPEG_SCAN_COMPLETED && dc_complete()) break;
    }
    jpeg_start_output(&dinfo, dinfo.input_scan_number);
  }
  dinfo_out[5] = (int32_t)dinfo.output_width;
  dinfo_out[6] = (int32_t)dinfo.output_height;
  dinfo_out[7] = dinfo.output_components;
  drow_capacity = rows < 1 ? 1 : rows;
  drows = strip_alloc((j_common_ptr)&dinfo, dinfo.output_width * (size_t)dinfo.output_components, drow_capacity);
  return dinfo_out;
}

/* The row strip dec_rows fills. */
EXPORT("dec_strip") uint8_t *dec_strip(void) { return drows[0]; }

/* Decodes up to the strip's height of rows; returns how many (0 when the image is done). */
EXPORT("dec_rows") int dec_rows(void) {
  int done = 0;
  while (done < drow_capacity && dinfo.output_scanline < dinfo.output_height) {
    done += (int)jpeg_read_scanlines(&dinfo, drows + done, (JDIMENSION)(drow_capacity - done));
  }
  return done;
}

/*
 * Ends the decode. A sequential decode reads on to EOI (as TurboJPEG does, so
 * damage after the last row is still reported); a DC-only decode stops where it
 * is. Returns the number of warnings (non-zero: the data was damaged).
 */
EXPORT("dec_finish") int dec_finish(void) {
  if (dinfo.buffered_image) jpeg_abort_decompress(&dinfo);
  else jpeg_finish_decompress(&dinfo);
  jpeg_destroy_decompress(&dinfo);
  return warnings;
}

/* ---- Encoder ---- */

static struct jpeg_compress_struct cinfo_enc;
static struct jpeg_error_mgr cjerr;
static struct jpeg_destination_mgr cdst;
static JSAMPARRAY crows;
static int crow_capacity;

static void dst_init(j_compress_ptr cinfo) {
  (void)cinfo;
  cdst.next_output_byte = io_buffer;
  cdst.free_in_buffer = IO_BUFFER;
}
static boolean dst_empty(j_compress_ptr cinfo) {
  (void)cinfo;
  js_write(io_buffer, IO_BUFFER);
  cdst.next_output_byte = io_buffer;
  cdst.free_in_buffer = IO_BUFFER;
  return TRUE;
}
static void dst_term(j_compress_ptr cinfo) {
  (void)cinfo;
  js_write(io_buffer, IO_BUFFER - cdst.free_in_buffer);
}

/*
 * Starts an encode of a `width` x `height` RGBX image (the 4th byte ignored) at
 * libjpeg quality `quality` (jpeg_set_quality: the standard tables, scaled as
 * IJG does), 4:2:0, optimised Huffman tables, progressive when asked. Returns
 * the strip of `rows` rows the caller fills before each enc_rows.
 */
EXPORT("enc_start") uint8_t *enc_start(int width, int height, int quality, int progressive, int rows) {
  arena_reset();
  warnings = 0;
  memset(&cinfo_enc, 0, sizeof(cinfo_enc));
  cinfo_enc.err = jpeg_std_error(&cjerr);
  jpeg_create_compress(&cinfo_enc);
  cdst.init_destination = dst_init;
  cdst.empty_output_buffer = dst_empty;
  cdst.term_destination = dst_term;
  cinfo_enc.dest = &cdst;
  cinfo_enc.image_width = (JDIMENSION)width;
  cinfo_enc.image_height = (JDIMENSION)height;
  cinfo_enc.input_components = 4;
  cinfo_enc.in_color_space = JCS_EXT_RGBX;
  jpeg_set_defaults(&cinfo_enc); /* YCbCr, 2x2 luma sampling (4:2:0), JFIF header, islow DCT */
  jpeg_set_quality(&cinfo_enc, quality, TRUE);
  cinfo_enc.optimize_coding = TRUE;
  if (progressive) jpeg_simple_progression(&cinfo_enc);
  jpeg_start_compress(&cinfo_enc, TRUE);
  crow_capacity = rows < 1 ? 1 : rows;
  crows = strip_alloc((j_common_ptr)&cinfo_enc, (size_t)width * 4, crow_capacity);
  return crows[0];
}

/* Compresses the first `n` rows of the strip. */
EXPORT("enc_rows") void enc_rows(int n) {
  int done = 0;
  while (done < n) done += (int)jpeg_write_scanlines(&cinfo_enc, crows + done, (JDIMENSION)(n - done));
}

/* Writes the rest of the file through `write`. */
EXPORT("enc_finish") int enc_finish(void) {
  jpeg_finish_compress(&cinfo_enc);
  jpeg_destroy_compress(&cinfo_enc);
  return warnings;
}

/* Bytes of linear memory in use by the current job's arena (measurement). */
EXPORT("arena_bytes") uint32_t arena_bytes(void) {
  return (uint32_t)(arena_top - (((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15));
}
