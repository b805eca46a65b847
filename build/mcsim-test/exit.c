#include <stdio.h>
#include <stdlib.h>
#include "xsmc.h"

void xs_cabinet_exit(xsMachine *the)
{
	int code = (xsmcArgc > 0) ? xsmcToInteger(xsArg(0)) : 0;
	fflush(stdout);
	fflush(stderr);
	exit(code);
}

void xs_cabinet_print(xsMachine *the)
{
	fputs(xsmcToString(xsArg(0)), stdout);
	fputc('\n', stdout);
	fflush(stdout);
}
