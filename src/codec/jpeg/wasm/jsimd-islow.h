/*
 * jsimd-islow.h (Thumbflare's wasm32 build of libjpeg-turbo)
 *
 * The fixed-point constants of libjpeg's accurate integer DCTs (jfdctint.c,
 * jidctint.c: the Loeffler-Ligtenberg-Moschytz factorisation, FIX(x) at
 * CONST_BITS = 13), shared by the IDCT of jsimd-decode.c and the FDCT of
 * jsimd-encode.c. Copyright (C) 1991-1996, Thomas G. Lane; see README.ijg.
 */
#ifndef JSIMD_ISLOW_H
#define JSIMD_ISLOW_H

#define CONST_BITS  13
#define PASS1_BITS  2

#define F_0_298  2446
#define F_0_390  3196
#define F_0_541  4433
#define F_0_765  6270
#define F_0_899  7373
#define F_1_175  9633
#define F_1_501  12299
#define F_1_847  15137
#define F_1_961  16069
#define F_2_053  16819
#define F_2_562  20995
#define F_3_072  25172

#endif
