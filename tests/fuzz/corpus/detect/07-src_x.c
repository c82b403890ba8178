B/*
 * SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0
 *
 * This program is free software; you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation; either version 2 of the License, or
 * (at your option) any later version.
 */
int main(void) { return 0; } /* see LICENSE */
