// Original file: agent/api/qvmd.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyNetworkRequest as _qvmd_v1_ApplyNetworkRequest, ApplyNetworkRequest__Output as _qvmd_v1_ApplyNetworkRequest__Output } from '../../qvmd/v1/ApplyNetworkRequest';
import type { CheckNetworkRequest as _qvmd_v1_CheckNetworkRequest, CheckNetworkRequest__Output as _qvmd_v1_CheckNetworkRequest__Output } from '../../qvmd/v1/CheckNetworkRequest';
import type { CheckNetworkResponse as _qvmd_v1_CheckNetworkResponse, CheckNetworkResponse__Output as _qvmd_v1_CheckNetworkResponse__Output } from '../../qvmd/v1/CheckNetworkResponse';
import type { DeleteNetworkRequest as _qvmd_v1_DeleteNetworkRequest, DeleteNetworkRequest__Output as _qvmd_v1_DeleteNetworkRequest__Output } from '../../qvmd/v1/DeleteNetworkRequest';
import type { DeleteNetworkResponse as _qvmd_v1_DeleteNetworkResponse, DeleteNetworkResponse__Output as _qvmd_v1_DeleteNetworkResponse__Output } from '../../qvmd/v1/DeleteNetworkResponse';
import type { GetNetworkRequest as _qvmd_v1_GetNetworkRequest, GetNetworkRequest__Output as _qvmd_v1_GetNetworkRequest__Output } from '../../qvmd/v1/GetNetworkRequest';
import type { HealthRequest as _qvmd_v1_HealthRequest, HealthRequest__Output as _qvmd_v1_HealthRequest__Output } from '../../qvmd/v1/HealthRequest';
import type { HealthResponse as _qvmd_v1_HealthResponse, HealthResponse__Output as _qvmd_v1_HealthResponse__Output } from '../../qvmd/v1/HealthResponse';
import type { ListNetworksRequest as _qvmd_v1_ListNetworksRequest, ListNetworksRequest__Output as _qvmd_v1_ListNetworksRequest__Output } from '../../qvmd/v1/ListNetworksRequest';
import type { ListNetworksResponse as _qvmd_v1_ListNetworksResponse, ListNetworksResponse__Output as _qvmd_v1_ListNetworksResponse__Output } from '../../qvmd/v1/ListNetworksResponse';
import type { Network as _qvmd_v1_Network, Network__Output as _qvmd_v1_Network__Output } from '../../qvmd/v1/Network';

export interface QvmdClient extends grpc.Client {
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  
  Health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface QvmdHandlers extends grpc.UntypedServiceImplementation {
  ApplyNetwork: grpc.handleUnaryCall<_qvmd_v1_ApplyNetworkRequest__Output, _qvmd_v1_Network>;
  
  CheckNetwork: grpc.handleUnaryCall<_qvmd_v1_CheckNetworkRequest__Output, _qvmd_v1_CheckNetworkResponse>;
  
  DeleteNetwork: grpc.handleUnaryCall<_qvmd_v1_DeleteNetworkRequest__Output, _qvmd_v1_DeleteNetworkResponse>;
  
  GetNetwork: grpc.handleUnaryCall<_qvmd_v1_GetNetworkRequest__Output, _qvmd_v1_Network>;
  
  Health: grpc.handleUnaryCall<_qvmd_v1_HealthRequest__Output, _qvmd_v1_HealthResponse>;
  
  ListNetworks: grpc.handleUnaryCall<_qvmd_v1_ListNetworksRequest__Output, _qvmd_v1_ListNetworksResponse>;
  
}

export interface QvmdDefinition extends grpc.ServiceDefinition {
  ApplyNetwork: MethodDefinition<_qvmd_v1_ApplyNetworkRequest, _qvmd_v1_Network, _qvmd_v1_ApplyNetworkRequest__Output, _qvmd_v1_Network__Output>
  CheckNetwork: MethodDefinition<_qvmd_v1_CheckNetworkRequest, _qvmd_v1_CheckNetworkResponse, _qvmd_v1_CheckNetworkRequest__Output, _qvmd_v1_CheckNetworkResponse__Output>
  DeleteNetwork: MethodDefinition<_qvmd_v1_DeleteNetworkRequest, _qvmd_v1_DeleteNetworkResponse, _qvmd_v1_DeleteNetworkRequest__Output, _qvmd_v1_DeleteNetworkResponse__Output>
  GetNetwork: MethodDefinition<_qvmd_v1_GetNetworkRequest, _qvmd_v1_Network, _qvmd_v1_GetNetworkRequest__Output, _qvmd_v1_Network__Output>
  Health: MethodDefinition<_qvmd_v1_HealthRequest, _qvmd_v1_HealthResponse, _qvmd_v1_HealthRequest__Output, _qvmd_v1_HealthResponse__Output>
  ListNetworks: MethodDefinition<_qvmd_v1_ListNetworksRequest, _qvmd_v1_ListNetworksResponse, _qvmd_v1_ListNetworksRequest__Output, _qvmd_v1_ListNetworksResponse__Output>
}
