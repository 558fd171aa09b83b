/**
 * The renderer's only door to main: named functions, one per contract call.
 * ipcRenderer itself is never exposed.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../main/ipc/api';
import { channelOf } from '../main/ipc/calls';

contextBridge.exposeInMainWorld(
  'certdesk',
  createApi((name, input) => ipcRenderer.invoke(channelOf(name), input)),
);
