/* jversion.h for the wasm32 build: the strings libjpeg-turbo's own template fills in. */
#define JVERSION  "6b  27-Mar-1998"
#define JCOPYRIGHT  "Copyright (C) 1991-2022 The libjpeg-turbo Project and many others"
#define JCOPYRIGHT_SHORT  "Copyright (C) 1991-2022 The libjpeg-turbo Project and many others"
