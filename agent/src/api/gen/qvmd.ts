import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyNetworkRequest as _qvmd_v1_ApplyNetworkRequest, ApplyNetworkRequest__Output as _qvmd_v1_ApplyNetworkRequest__Output } from './qvmd/v1/ApplyNetworkRequest';
import type { CheckNetworkRequest as _qvmd_v1_CheckNetworkRequest, CheckNetworkRequest__Output as _qvmd_v1_CheckNetworkRequest__Output } from './qvmd/v1/CheckNetworkRequest';
import type { CheckNetworkResponse as _qvmd_v1_CheckNetworkResponse, CheckNetworkResponse__Output as _qvmd_v1_CheckNetworkResponse__Output } from './qvmd/v1/CheckNetworkResponse';
import type { DeleteNetworkRequest as _qvmd_v1_DeleteNetworkRequest, DeleteNetworkRequest__Output as _qvmd_v1_DeleteNetworkRequest__Output } from './qvmd/v1/DeleteNetworkRequest';
import type { DeleteNetworkResponse as _qvmd_v1_DeleteNetworkResponse, DeleteNetworkResponse__Output as _qvmd_v1_DeleteNetworkResponse__Output } from './qvmd/v1/DeleteNetworkResponse';
import type { DhcpReservation as _qvmd_v1_DhcpReservation, DhcpReservation__Output as _qvmd_v1_DhcpReservation__Output } from './qvmd/v1/DhcpReservation';
import type { DhcpSpec as _qvmd_v1_DhcpSpec, DhcpSpec__Output as _qvmd_v1_DhcpSpec__Output } from './qvmd/v1/DhcpSpec';
import type { GetNetworkRequest as _qvmd_v1_GetNetworkRequest, GetNetworkRequest__Output as _qvmd_v1_GetNetworkRequest__Output } from './qvmd/v1/GetNetworkRequest';
import type { HealthRequest as _qvmd_v1_HealthRequest, HealthRequest__Output as _qvmd_v1_HealthRequest__Output } from './qvmd/v1/HealthRequest';
import type { HealthResponse as _qvmd_v1_HealthResponse, HealthResponse__Output as _qvmd_v1_HealthResponse__Output } from './qvmd/v1/HealthResponse';
import type { ListNetworksRequest as _qvmd_v1_ListNetworksRequest, ListNetworksRequest__Output as _qvmd_v1_ListNetworksRequest__Output } from './qvmd/v1/ListNetworksRequest';
import type { ListNetworksResponse as _qvmd_v1_ListNetworksResponse, ListNetworksResponse__Output as _qvmd_v1_ListNetworksResponse__Output } from './qvmd/v1/ListNetworksResponse';
import type { Network as _qvmd_v1_Network, Network__Output as _qvmd_v1_Network__Output } from './qvmd/v1/Network';
import type { NetworkSpec as _qvmd_v1_NetworkSpec, NetworkSpec__Output as _qvmd_v1_NetworkSpec__Output } from './qvmd/v1/NetworkSpec';
import type { QvmdClient as _qvmd_v1_QvmdClient, QvmdDefinition as _qvmd_v1_QvmdDefinition } from './qvmd/v1/Qvmd';
import type { Violation as _qvmd_v1_Violation, Violation__Output as _qvmd_v1_Violation__Output } from './qvmd/v1/Violation';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  qvmd: {
    v1: {
      ApplyNetworkRequest: MessageTypeDefinition<_qvmd_v1_ApplyNetworkRequest, _qvmd_v1_ApplyNetworkRequest__Output>
      CheckNetworkRequest: MessageTypeDefinition<_qvmd_v1_CheckNetworkRequest, _qvmd_v1_CheckNetworkRequest__Output>
      CheckNetworkResponse: MessageTypeDefinition<_qvmd_v1_CheckNetworkResponse, _qvmd_v1_CheckNetworkResponse__Output>
      DeleteNetworkRequest: MessageTypeDefinition<_qvmd_v1_DeleteNetworkRequest, _qvmd_v1_DeleteNetworkRequest__Output>
      DeleteNetworkResponse: MessageTypeDefinition<_qvmd_v1_DeleteNetworkResponse, _qvmd_v1_DeleteNetworkResponse__Output>
      DhcpReservation: MessageTypeDefinition<_qvmd_v1_DhcpReservation, _qvmd_v1_DhcpReservation__Output>
      DhcpSpec: MessageTypeDefinition<_qvmd_v1_DhcpSpec, _qvmd_v1_DhcpSpec__Output>
      GetNetworkRequest: MessageTypeDefinition<_qvmd_v1_GetNetworkRequest, _qvmd_v1_GetNetworkRequest__Output>
      HealthRequest: MessageTypeDefinition<_qvmd_v1_HealthRequest, _qvmd_v1_HealthRequest__Output>
      HealthResponse: MessageTypeDefinition<_qvmd_v1_HealthResponse, _qvmd_v1_HealthResponse__Output>
      ListNetworksRequest: MessageTypeDefinition<_qvmd_v1_ListNetworksRequest, _qvmd_v1_ListNetworksRequest__Output>
      ListNetworksResponse: MessageTypeDefinition<_qvmd_v1_ListNetworksResponse, _qvmd_v1_ListNetworksResponse__Output>
      Network: MessageTypeDefinition<_qvmd_v1_Network, _qvmd_v1_Network__Output>
      NetworkSpec: MessageTypeDefinition<_qvmd_v1_NetworkSpec, _qvmd_v1_NetworkSpec__Output>
      Qvmd: SubtypeConstructor<typeof grpc.Client, _qvmd_v1_QvmdClient> & { service: _qvmd_v1_QvmdDefinition }
      Violation: MessageTypeDefinition<_qvmd_v1_Violation, _qvmd_v1_Violation__Output>
    }
  }
}

