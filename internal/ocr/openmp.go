package ocr

/*
#include <dlfcn.h>

// dp_omp_single_thread makes the OpenMP parallel regions started by the
// calling thread run on that thread alone, if the process uses OpenMP at
// all. Unlike omp_set_num_threads, this also holds for regions that ask for
// a number of threads explicitly, as Tesseract's do.
static void dp_omp_single_thread(void) {
	void (*set)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
	if (set != NULL) {
		set(0);
	}
}

static int dp_omp_max_active_levels(void) {
	int (*get)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "omp_get_max_active_levels");
	return get != NULL ? get() : -1;
}
*/
import "C"

import "os"

// ompThreadLimit is OMP_THREAD_LIMIT as the OpenMP runtime read it, when
// the process started.
var ompThreadLimit = os.Getenv("OMP_THREAD_LIMIT")

// limitOpenMP keeps Tesseract on the calling thread to one OpenMP thread,
// unless OMP_THREAD_LIMIT was set when the process started. The variable is
// set too, for child processes; in this process the limit has to be applied
// per thread, since the OpenMP runtime has already read the environment and
// keeps the relevant setting per thread.
func limitOpenMP() {
	if ompThreadLimit != "" {
		return
	}
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		os.Setenv("OMP_THREAD_LIMIT", "1")
	}
	C.dp_omp_single_thread()
}

// openMPMaxActiveLevels returns the calling thread's OpenMP setting that
// limitOpenMP changes (0 once limited), or -1 without OpenMP.
func openMPMaxActiveLevels() int {
	return int(C.dp_omp_max_active_levels())
}
