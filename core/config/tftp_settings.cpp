#include "config/tftp_settings.h"
