/* jconfig.h for Thumbflare's wasm32 build of Debian's libjpeg-turbo 2.1.5
 * (scripts/build-jpeg-wasm.sh): what CMake would write for an 8-bit build with
 * the in-memory source/destination API but no SIMD assembly (there is none for
 * wasm32; clang's -msimd128 autovectoriser is what we get) and no arithmetic
 * coding (arithmetic JPEGs go to codec/jpeg/arith). */
#define JPEG_LIB_VERSION  62
#define LIBJPEG_TURBO_VERSION  2.1.5
#define LIBJPEG_TURBO_VERSION_NUMBER  2001005
#define MEM_SRCDST_SUPPORTED  1
#define BITS_IN_JSAMPLE  8
