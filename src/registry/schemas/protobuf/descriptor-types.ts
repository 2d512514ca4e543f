/**
 * protobufjs's `google.protobuf` descriptor messages (`protobufjs/ext/descriptor`), typed: the
 * module is CommonJS whose exports are built at run time, so it is imported whole and cast.
 */

import type * as DescriptorTypes from 'protobufjs/ext/descriptor.js';
import descriptorModule from 'protobufjs/ext/descriptor.js';

export type { DescriptorTypes };
export const descriptor = descriptorModule as unknown as typeof DescriptorTypes;
